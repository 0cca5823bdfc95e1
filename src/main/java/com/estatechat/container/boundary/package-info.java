/**
 * Container-specific guards and tuning applied at deployment, doing nothing on other containers:
 * on Tyrus, {@link com.estatechat.container.boundary.FrameGuardFilter} refuses a frame over
 * {@code chat.max-frame-bytes} from its header instead of letting Tyrus buffer it whole, and
 * {@link com.estatechat.container.boundary.TyrusTuning} keeps Tyrus's idle-timeout checks off
 * Payara's scheduler ({@code chat.container.skip-idle-checks}).
 */
package com.estatechat.container.boundary;
