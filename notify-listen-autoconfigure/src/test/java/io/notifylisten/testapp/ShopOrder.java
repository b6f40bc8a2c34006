package io.notifylisten.testapp;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity(name = "Order")
@Table(name = "shop_order")
public class ShopOrder {

	@Id
	private Long id;

	private String status;

	protected ShopOrder() {
	}

	public ShopOrder(Long id, String status) {
		this.id = id;
		this.status = status;
	}

	public Long getId() {
		return this.id;
	}

	public String getStatus() {
		return this.status;
	}

	public void setStatus(String status) {
		this.status = status;
	}

}
