/**
 * How the container guards work: the frame scanner that follows a client's frame headers
 * ({@link com.estatechat.container.control.FrameScanner}, {@link com.estatechat.container.control.FrameGuard})
 * and the scheduler swap behind the idle-check skipper.
 */
package com.estatechat.container.control;
