/**
 * Who is who on the platform, shared by every feature: a user ({@link com.estatechat.identity.Identity}),
 * its {@link com.estatechat.identity.Role}, and the broadcast targets ({@code role:…}). Values only;
 * how the server learns an identity is {@code auth}'s business.
 */
package com.estatechat.identity;
