// The React example of docs/client.md, as printed there: it must compile against index.d.ts.
import { useEffect, useRef, useState } from 'react';
import { listen, type ActionHandlers, type ListenOptions } from '../../src/index.js';

export function useListen(entity: string, id: string | number, handlers: ActionHandlers, options?: ListenOptions) {
	// The latest handlers, without resubscribing on every render.
	const latest = useRef({ handlers, options });
	latest.current = { handlers, options };
	const actions = Object.keys(handlers).sort().join(',');
	useEffect(() => {
		const handle = listen(entity, id,
			Object.fromEntries(actions.split(',').map((action) => [action, (msg) => latest.current.handlers[action]?.(msg)])),
			{
				denied: (reason, detail) => latest.current.options?.denied?.(reason, detail),
				resubscribed: (h) => latest.current.options?.resubscribed?.(h)
			});
		return () => handle.stop();
	}, [entity, id, actions]);
}

interface Order {
	status: string;
}

declare function reload(id: number): void;

export function useOrder(id: number) {
	const [order, setOrder] = useState<Order>();
	useListen('Order', id, { refresh: (msg) => setOrder(msg.result as Order) }, { resubscribed: () => reload(id) });
	return order;
}
