/**
 * An authenticated caller ({@link com.estatechat.auth.entity.Identity}), its
 * {@link com.estatechat.auth.entity.Role}, and the broadcast targets ({@code role:…}). Values only.
 */
package com.estatechat.auth.entity;
