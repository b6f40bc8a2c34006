/**
 * Who may log in, who may listen to what, and the session details a page needs.
 */
@NullMarked
package io.notifylisten.sample.security;

import org.jspecify.annotations.NullMarked;
