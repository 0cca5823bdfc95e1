/**
 * The user directory: the broker is the directory (provision = declare the inbox, remove =
 * delete it).
 */
package com.estatechat.directory.control;
