// A contract as the server generates one (GET /notify-listen/contract.d.ts), written by hand: it
// merges the application's entities, actions, payloads and results into the client's types.
import type {} from '@notify-listen/client';

interface OrderView {
	id: number;
	customer: string;
	status: 'NEW' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
	amount: number;
}

interface Progress {
	percent: number;
	text: string;
	busy: boolean;
}

declare module '@notify-listen/client' {
	interface NotifyListenChannels {
		Order: {
			refresh: { payload: { status: string }; result: OrderView };
			shipped: { payload: { status: string }; result: never };
			deleted: { payload: Record<string, never>; result: never };
		};
		Job: {
			progress: { payload: Progress; result: never };
		};
	}
	interface NotifyListenFilters {
		Order: { status: string; amount: number };
	}
	interface NotifyListenNotices {
		Order: {
			shipped: { payload: { status: string }; result: never };
		};
		Invoice: {
			overdue: { payload: { days: number }; result: never };
		};
	}
}
