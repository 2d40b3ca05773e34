/** The first of `signals` to arrive, from now until `dispose` (which also stops catching them). */
export function stopSignals(signals: readonly NodeJS.Signals[]): { readonly received: Promise<void>; readonly dispose: () => void } {
  let onSignal: () => void = () => undefined;
  const received = new Promise<void>((resolve) => (onSignal = resolve));
  for (const signal of signals) process.once(signal, onSignal);
  return {
    received,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
