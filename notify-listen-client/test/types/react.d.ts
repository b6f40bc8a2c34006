// Just enough of React's hooks for use-listen.tsx to be checked without installing React.
declare module 'react' {
	export function useEffect(effect: () => void | (() => void), deps?: readonly unknown[]): void;
	export function useRef<T>(initial: T): { current: T };
	export function useState<T>(initial?: T): [T | undefined, (value: T | undefined) => void];
}
