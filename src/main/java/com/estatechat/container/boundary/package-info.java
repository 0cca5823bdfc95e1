/**
 * Container-specific tuning applied at deployment, harmless elsewhere: Tyrus's idle-timeout
 * checks kept off Payara's scheduler ({@code chat.container.skip-idle-checks}), one endpoint configurator.
 */
package com.estatechat.container.boundary;
