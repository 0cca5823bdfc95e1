package com.estatechat.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Reads of the conversation store's tables that tests on either database share. */
final class StoreRows {

    private StoreRows() {
    }

    /** How many rows each of these messages has for its target (its own recipient row); 0 for none. */
    static Map<String, Integer> targetRows(Connection connection, Collection<String> messageIds) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        messageIds.forEach(id -> counts.put(id, 0));
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT message_id, COUNT(*) FROM chat_message WHERE recipient_id = target_id GROUP BY message_id");
                ResultSet result = query.executeQuery()) {
            while (result.next()) {
                String id = result.getString(1);
                if (counts.containsKey(id)) {
                    counts.put(id, result.getInt(2));
                }
            }
        }
        return counts;
    }
}
