/**
 * The HTTP side the browser client talks to: {@code /rest/pusher/key} for public settings and
 * {@code /rest/pusher/auth} to sign a subscription, named as in the Pusher module they replace.
 */
@NullMarked
package io.notifylisten.web;

import org.jspecify.annotations.NullMarked;
