/**
 * A second test application, on Spring Security's OAuth2 Resource Server with bearer JWTs
 * and no HTTP session, and the tokens it trusts.
 */
@NullMarked
package io.notifylisten.tokenapp;

import org.jspecify.annotations.NullMarked;
