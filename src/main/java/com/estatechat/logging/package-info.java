/**
 * What every feature's log lines share: {@link com.estatechat.logging.LogText}, client input made
 * safe for one line. Uses nothing of the application.
 */
package com.estatechat.logging;
