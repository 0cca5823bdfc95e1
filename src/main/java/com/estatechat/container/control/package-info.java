/**
 * How the Tyrus tuning is done: the scheduler swap and the idle-check skipper.
 */
package com.estatechat.container.control;
