/**
 * What the store holds and answers: stored messages, history events, conversations, pages.
 */
package com.estatechat.history.entity;
