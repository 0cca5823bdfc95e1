package com.estatechat.logging;

/**
 * Client input made safe for one log line: control characters (C0, DEL, C1, and the Unicode line
 * and paragraph separators) are written as escapes ({@code \n}, {@code \u0085}), so that a client
 * cannot start a line of its own that reads like the server's; a backslash is doubled, so that an
 * escape cannot be forged; and the text is cut at {@value #MAX_CHARS} characters.
 */
public final class LogText {

    static final int MAX_CHARS = 256;

    private LogText() {
    }

    /** The text as it may go into a log line; {@code "null"} for null. */
    public static String of(Object input) {
        if (input == null) {
            return "null";
        }
        String text = input.toString();
        int end = Math.min(text.length(), MAX_CHARS);
        StringBuilder clean = null;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            String escape = escape(c);
            if (escape != null && clean == null) {
                clean = new StringBuilder(end + 16).append(text, 0, i);
            }
            if (clean != null) {
                clean.append(escape != null ? escape : String.valueOf(c));
            }
        }
        String result = clean != null ? clean.toString() : text.substring(0, end);
        return end < text.length() ? result + "…(" + (text.length() - end) + " more)" : result;
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\\' -> "\\\\";
            default -> c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : null;
        };
    }
}
