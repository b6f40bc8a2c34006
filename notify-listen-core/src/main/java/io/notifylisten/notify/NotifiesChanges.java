package io.notifylisten.notify;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a JPA entity whose rows notify their own channels when they are created, updated
 * or deleted, as Laravel's {@code BroadcastsEvents} and Rails'
 * {@code broadcasts_refreshes} do: after commit, through the application's
 * {@link Notifier}, on {@code <Entity>/<id>/<action>} with the entity name and id that
 * {@link Notifier#notify(Object, String)} takes from {@code @Entity} and {@code @Id}.
 *
 * <pre class="code">
 * &#64;Entity(name = "OrderLine")
 * &#64;NotifiesChanges(payload = "quantity", parents = "order")
 * public class OrderLine {
 *     &#64;ManyToOne Order order;
 *     int quantity;
 * }
 * </pre>
 *
 * Changes count when Hibernate writes them, whether through a Spring Data repository or
 * an {@code EntityManager}: each entity, id and action notifies at most once per
 * transaction, with the payload its declared properties hold when the transaction
 * commits, and a rolled-back transaction notifies nothing. Bulk JPQL or SQL statements
 * change rows without Hibernate seeing entities, and notify nothing.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface NotifiesChanges {

	/**
	 * Action of a row inserted, or empty to send nothing.
	 * @return the action
	 */
	String created() default "created";

	/**
	 * Action of a row updated, or empty to send nothing; also the action a child's change
	 * sends to this entity by default.
	 * @return the action
	 */
	String updated() default "updated";

	/**
	 * Action of a row deleted, or empty to send nothing.
	 * @return the action
	 */
	String deleted() default "deleted";

	/**
	 * Properties (getter or field) whose values every notification of this entity
	 * carries, for pages to show without a round trip: small values, never confidential
	 * ones, within {@code notify-listen.payload.max-size}. Associations and collections
	 * are refused.
	 * @return the property names
	 */
	String[] payload() default {};

	/**
	 * Many-to-one or one-to-one associations whose entity is also told when a row of this
	 * entity is created, updated or deleted, as Rails' {@code touch}: a changed
	 * {@code OrderLine} refreshes its {@code Order}. A parent that declares
	 * {@code @NotifiesChanges} itself sends its own payload and tells its own parents in
	 * turn; a parent deleted in the same transaction is not told.
	 * @return the association property names
	 */
	String[] parents() default {};

	/**
	 * Action sent to the {@link #parents() parents}; empty for each parent's
	 * {@link #updated() updated} action ({@code updated} for a parent without
	 * {@code @NotifiesChanges}).
	 * @return the action
	 */
	String parentAction() default "";

}
