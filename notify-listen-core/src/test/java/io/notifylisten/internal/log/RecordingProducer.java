package io.notifylisten.internal.log;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.rabbitmq.stream.ConfirmationHandler;
import com.rabbitmq.stream.ConfirmationStatus;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.MessageBuilder;
import com.rabbitmq.stream.Producer;
import com.rabbitmq.stream.codec.WrapperMessageBuilder;

/**
 * A producer without a broker: it keeps what it is sent and answers at once, confirming
 * what the test lets through, or does not answer at all.
 */
final class RecordingProducer implements Producer {

	final List<Message> sent = new CopyOnWriteArrayList<>();

	volatile Predicate<Message> confirms = (message) -> true;

	volatile boolean answering = true;

	@Override
	public MessageBuilder messageBuilder() {
		return new WrapperMessageBuilder();
	}

	@Override
	public long getLastPublishingId() {
		return 0;
	}

	@Override
	public void send(Message message, ConfirmationHandler confirmationHandler) {
		this.sent.add(message);
		if (this.answering) {
			boolean confirmed = this.confirms.test(message);
			confirmationHandler.handle(new ConfirmationStatus(message, confirmed, (short) (confirmed ? 1 : 2)));
		}
	}

	@Override
	public void close() {
	}

}
