package io.notifylisten.sample.broadcast;

/**
 * The payload of the {@code Broadcast/all/banner} notice.
 *
 * @param text the banner text, empty to clear it
 */
public record BannerNotice(String text) {

}
