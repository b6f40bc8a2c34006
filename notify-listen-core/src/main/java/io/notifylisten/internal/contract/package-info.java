/**
 * What a page receives, written down for tools: the application's channels and messages
 * as an AsyncAPI document and as TypeScript declarations, both from one {@code Contract}.
 */
@NullMarked
package io.notifylisten.internal.contract;

import org.jspecify.annotations.NullMarked;
