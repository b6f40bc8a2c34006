package io.notifylisten.internal.persistence;

import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import io.notifylisten.notify.Notifier;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.StaticListableBeanFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Entities marked {@code @NotifiesChanges} notify through a real Hibernate on H2, in
 * transactions the test drives itself, without Spring's transaction management: then
 * notifications leave after Hibernate reports the commit.
 */
class EntityChangeListenerTests {

	private final RecordingNotifier notifier = new RecordingNotifier();

	private SessionFactory sessionFactory;

	@BeforeEach
	void startHibernate() {
		this.sessionFactory = sessionFactory(Board.class, Card.class, Task.class, Wall.class, Poster.class);
		register(this.sessionFactory, this.notifier);
		inTransaction((session) -> session.persist(new Board(1, "Sprint")));
		this.notifier.channels.clear();
		this.notifier.payloads.clear();
	}

	@AfterEach
	void stopHibernate() {
		this.sessionFactory.close();
	}

	@Test
	void aCreatedRowNotifiesItsChannelWithItsPayloadAfterCommit() {
		inTransaction((session) -> {
			session.persist(new Card(7, "Write tests", session.getReference(Board.class, 1L)));
			session.flush();
			assertThat(this.notifier.channels).isEmpty();
		});

		assertThat(this.notifier.channels).containsExactly("Card/7/created", "Board/1/refresh");
		assertThat(this.notifier.payloads.get(0)).containsExactly(Map.entry("title", "Write tests"),
				Map.entry("position", 70));
		assertThat(this.notifier.payloads.get(1)).containsExactly(Map.entry("title", "Sprint"));
	}

	@Test
	void twoUpdatesOfOneRowInOneTransactionNotifyOnceWithTheLastState() {
		inTransaction((session) -> session.persist(new Card(7, "Draft", session.getReference(Board.class, 1L))));
		this.notifier.channels.clear();
		this.notifier.payloads.clear();

		inTransaction((session) -> {
			Card card = session.find(Card.class, 7L);
			card.title = "First";
			session.flush();
			card.title = "Second";
		});

		assertThat(this.notifier.channels).containsExactly("Card/7/updated", "Board/1/refresh");
		assertThat(this.notifier.payloads.get(0)).containsEntry("title", "Second");
	}

	@Test
	void aParentToldOfAChangeTellsItsOwnParentsWithTheirPayloads() {
		inTransaction((session) -> {
			Card card = new Card(7, "Plan", session.getReference(Board.class, 1L));
			session.persist(card);
			session.persist(new Task(70, card));
		});
		this.notifier.channels.clear();
		this.notifier.payloads.clear();

		inTransaction((session) -> session.find(Task.class, 70L).done = true);

		assertThat(this.notifier.channels).containsExactly("Card/7/updated", "Board/1/refresh");
		assertThat(this.notifier.payloads.get(0)).containsEntry("title", "Plan");
		assertThat(this.notifier.payloads.get(1)).containsEntry("title", "Sprint");
	}

	@Test
	void aParentWithoutADeclarationIsToldItWasUpdatedWithoutPayload() {
		inTransaction((session) -> {
			Wall wall = new Wall(3);
			session.persist(wall);
			session.flush();
			session.persist(new Poster(30, wall));
		});

		assertThat(this.notifier.channels).containsExactly("Poster/30/created", "Wall/3/updated");
		assertThat(this.notifier.payloads.get(1)).isEmpty();
	}

	// One session for several transactions, as with Spring's open-in-view.
	@Test
	void aSessionThatRunsTwoTransactionsNotifiesEachChangeOnce() {
		try (Session session = this.sessionFactory.openSession()) {
			session.beginTransaction();
			session.persist(new Card(7, "First", session.getReference(Board.class, 1L)));
			session.getTransaction().commit();
			session.beginTransaction();
			session.persist(new Card(8, "Second", session.getReference(Board.class, 1L)));
			session.getTransaction().commit();
		}

		assertThat(this.notifier.channels).containsExactly("Card/7/created", "Board/1/refresh", "Card/8/created",
				"Board/1/refresh");
	}

	@Test
	void aRolledBackTransactionNotifiesNothingEvenAfterAFlush() {
		try (Session session = this.sessionFactory.openSession()) {
			session.beginTransaction();
			session.persist(new Card(7, "Never", session.getReference(Board.class, 1L)));
			session.flush();
			session.getTransaction().rollback();
		}

		assertThat(this.notifier.channels).isEmpty();
	}

	@Test
	void aDeletedParentIsNotRefreshedByItsDeletedChildren() {
		inTransaction((session) -> session.persist(new Card(7, "Gone", session.getReference(Board.class, 1L))));
		this.notifier.channels.clear();

		inTransaction((session) -> {
			session.remove(session.find(Card.class, 7L));
			session.remove(session.find(Board.class, 1L));
		});

		assertThat(this.notifier.channels).containsExactly("Card/7/deleted", "Board/1/deleted");
	}

	@Test
	void aChangeThatIsNeverWrittenNotifiesNothing() {
		inTransaction((session) -> session.find(Board.class, 1L).secret = "read only");

		try (Session session = this.sessionFactory.openSession()) {
			session.beginTransaction();
			session.find(Board.class, 1L);
			session.getTransaction().commit();
		}

		assertThat(this.notifier.channels).containsExactly("Board/1/refresh");
	}

	@Test
	void aPayloadPropertyTheEntityDoesNotHaveStopsStartupNamingIt() {
		assertThatIllegalStateException()
			.isThrownBy(() -> register(sessionFactory(MisspeltPayload.class), this.notifier))
			.withMessageContaining("@NotifiesChanges on " + MisspeltPayload.class.getName())
			.withMessageContaining("'titel'");
	}

	@Test
	void anAssociationInThePayloadOrAParentThatIsNoAssociationStopsStartup() {
		assertThatIllegalStateException()
			.isThrownBy(() -> register(sessionFactory(Board.class, WrongDeclarations.class), this.notifier))
			.withMessageContaining("puts 'board' in the payload, an association or collection")
			.withMessageContaining("names the parent 'title', which is not a many-to-one or one-to-one association")
			.withMessageContaining("names the action 'no/slash'");
	}

	private void inTransaction(Consumer<Session> work) {
		this.sessionFactory.inTransaction(work);
	}

	private static void register(SessionFactory sessionFactory, Notifier notifier) {
		StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("notifier", notifier));
		new EntityChangeListenerRegistrar(beans.getBeanProvider(Notifier.class))
			.postProcessAfterInitialization(sessionFactory, "entityManagerFactory");
	}

	private static SessionFactory sessionFactory(Class<?>... entities) {
		Configuration configuration = new Configuration()
			.setProperty(AvailableSettings.JAKARTA_JDBC_URL, "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
			.setProperty(AvailableSettings.HBM2DDL_AUTO, "create-drop");
		for (Class<?> entity : entities) {
			configuration.addAnnotatedClass(entity);
		}
		return configuration.buildSessionFactory();
	}

	@jakarta.persistence.Entity
	@io.notifylisten.notify.NotifiesChanges(payload = "titel")
	static class MisspeltPayload {

		@jakarta.persistence.Id
		Long id;

		String title;

	}

	@jakarta.persistence.Entity
	@io.notifylisten.notify.NotifiesChanges(payload = "board", parents = "title", created = "no/slash")
	static class WrongDeclarations {

		@jakarta.persistence.Id
		Long id;

		String title;

		@jakarta.persistence.ManyToOne
		Board board;

	}

}
