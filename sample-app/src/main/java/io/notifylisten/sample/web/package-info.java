/**
 * The pages: static HTML served at readable paths.
 */
@NullMarked
package io.notifylisten.sample.web;

import org.jspecify.annotations.NullMarked;
