// The React example of docs/client.md, as printed there: it must compile against the declarations,
// with the contract typing the handlers.
import { useEffect, useRef, useState } from 'react';
import { listen, type ActionHandlers, type EntityName, type ListenOptions } from '@notify-listen/client';

export function useListen<E extends EntityName>(entity: E, id: string | number, handlers: ActionHandlers<E>,
	options?: ListenOptions) {
	// The latest handlers, without resubscribing on every render.
	const latest = useRef({ handlers, options });
	latest.current = { handlers, options };
	const actions = Object.keys(handlers).sort().join(',');
	useEffect(() => {
		const current = () => latest.current.handlers as Record<string, ((msg: unknown) => void) | undefined>;
		const handle = listen(entity, id,
			Object.fromEntries(actions.split(',').map((action) => [action, (msg: unknown) => current()[action]?.(msg)])) as ActionHandlers<E>,
			{
				denied: (reason, detail) => latest.current.options?.denied?.(reason, detail),
				resubscribed: (h) => latest.current.options?.resubscribed?.(h)
			});
		return () => handle.stop();
	}, [entity, id, actions]);
}

interface OrderView {
	status: string;
}

declare function reload(id: number): void;

export function useOrder(id: number) {
	const [order, setOrder] = useState<OrderView>();
	useListen('Order', id, { refresh: (msg) => setOrder(msg.result) }, { resubscribed: () => reload(id) });
	return order;
}
