package io.notifylisten.testapp;

import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/**
 * A line of a {@link ShopOrder} that notifies its own changes and refreshes its order, as
 * an application marks an entity with {@link NotifiesChanges}.
 */
@Entity(name = "OrderLine")
@NotifiesChanges(payload = { "product", "quantity" }, parents = "order", parentAction = "refresh")
public class OrderLine {

	@Id
	private Long id;

	@ManyToOne(fetch = FetchType.LAZY, optional = false)
	private ShopOrder order;

	private String product;

	private int quantity;

	protected OrderLine() {
	}

	public OrderLine(long id, ShopOrder order, String product, int quantity) {
		this.id = id;
		this.order = order;
		this.product = product;
		this.quantity = quantity;
	}

	public Long getId() {
		return this.id;
	}

	public ShopOrder getOrder() {
		return this.order;
	}

	public String getProduct() {
		return this.product;
	}

	public int getQuantity() {
		return this.quantity;
	}

	public void setQuantity(int quantity) {
		this.quantity = quantity;
	}

}
