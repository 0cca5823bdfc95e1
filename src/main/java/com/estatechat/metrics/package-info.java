/**
 * The application's meters, exported through MicroProfile Metrics where the server has it
 * ({@link com.estatechat.metrics.Meters}); each feature names its own meters with them.
 */
package com.estatechat.metrics;
