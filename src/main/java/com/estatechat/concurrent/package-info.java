/**
 * The application's threads ({@link com.estatechat.concurrent.Workers}) and lanes on them
 * ({@link com.estatechat.concurrent.SerialExecutor}), and {@link com.estatechat.concurrent.Coalescer}
 * (items that wait for a batch on its way travel together). Uses nothing of the application.
 */
package com.estatechat.concurrent;
