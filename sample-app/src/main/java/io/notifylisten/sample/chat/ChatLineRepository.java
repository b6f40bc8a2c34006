package io.notifylisten.sample.chat;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Chat lines, newest first.
 */
public interface ChatLineRepository extends JpaRepository<ChatLine, Long> {

	List<ChatLine> findTop50ByRoomOrderByIdDesc(String room);

}
