/**
 * The HTTP side the browser client talks to: {@code /rest/pusher/key} for public
 * settings, {@code /rest/pusher/auth} to sign a subscription (named as in the Pusher
 * module they replace), the Server-Sent Event endpoint and the server-to-server publish
 * endpoint.
 */
@NullMarked
package io.notifylisten.internal.web;

import org.jspecify.annotations.NullMarked;
