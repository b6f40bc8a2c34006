package io.notifylisten.sample.order;

import java.math.BigDecimal;
import java.time.Instant;

import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A customer's order. Its entity name is {@code Order}, so its channels are
 * {@code Order/<id>/<action>}; the table is not called {@code order}, a reserved word in
 * SQL. Each committed change, and each new order, notifies {@code Order/<id>/refresh}
 * with the status, which is no secret; the amount stays out of the payload and reaches
 * each page through the {@code @NotifyListen} handler, as that page's user. A new order
 * is one more refresh rather than an action of its own, so that the order list, which
 * listens to {@code refresh} on every order, shows it the same way it updates a row.
 */
@Entity(name = "Order")
@NotifiesChanges(created = "refresh", updated = "refresh", payload = "status")
@Table(name = "shop_order")
public class ShopOrder {

	@Id
	private Long id;

	@Column(nullable = false)
	private String customer;

	@Enumerated(EnumType.STRING)
	@Column(nullable = false)
	private OrderStatus status;

	@Column(nullable = false, precision = 12, scale = 2)
	private BigDecimal amount;

	@Column(nullable = false)
	private String lastChangedBy;

	@Column(nullable = false)
	private Instant changedAt;

	protected ShopOrder() {
	}

	public ShopOrder(long id, String customer, OrderStatus status, BigDecimal amount, String createdBy,
			Instant createdAt) {
		this.id = id;
		this.customer = customer;
		this.status = status;
		this.amount = amount;
		this.lastChangedBy = createdBy;
		this.changedAt = createdAt;
	}

	public Long getId() {
		return this.id;
	}

	public String getCustomer() {
		return this.customer;
	}

	public OrderStatus getStatus() {
		return this.status;
	}

	public BigDecimal getAmount() {
		return this.amount;
	}

	public String getLastChangedBy() {
		return this.lastChangedBy;
	}

	public Instant getChangedAt() {
		return this.changedAt;
	}

	/**
	 * Record a change.
	 * @param status the new status
	 * @param amount the new amount
	 * @param changedBy who changed it
	 * @param changedAt when
	 */
	public void change(OrderStatus status, BigDecimal amount, String changedBy, Instant changedAt) {
		this.status = status;
		this.amount = amount;
		this.lastChangedBy = changedBy;
		this.changedAt = changedAt;
	}

}
