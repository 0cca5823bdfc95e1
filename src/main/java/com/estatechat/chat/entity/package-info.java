/**
 * The JSON frames of the wire contract (docs/protocol.md), as records, and the error codes.
 */
package com.estatechat.chat.entity;
