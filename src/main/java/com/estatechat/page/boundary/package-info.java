/**
 * The browser page's security headers (Content-Security-Policy and friends).
 */
package com.estatechat.page.boundary;
