import { renderConnector, type ClientAdapter, type ConnectorDialect } from '@skillsync/clients';
import { GATEWAY_ENTRY_NAME, type ConnectorDefinition, type GatewayConfig } from '@skillsync/core';

/** How a client starts the gateway when the manifest does not say: `skillsync` on the PATH. */
export const DEFAULT_GATEWAY_COMMAND: readonly string[] = ['skillsync'];

/**
 * Whether connectors reach this client through the gateway. `auto` picks the gateway
 * for a client that cannot take the connectors as they are: it expands no variables
 * (so a credential could only be written out), or one of the connectors needs a
 * secret, which only the gateway can inject. `dialect` is the one of the file the
 * entries would go to (`connectorDialectAt`).
 */
export function connectorModeFor(
  adapter: ClientAdapter,
  dialect: ConnectorDialect,
  gateway: GatewayConfig,
  connectors: Readonly<Record<string, ConnectorDefinition>>,
  render: typeof renderConnector = renderConnector,
): 'gateway' | 'direct' {
  const chosen = gateway.clients?.[adapter.id] ?? gateway.mode ?? 'auto';
  if (chosen !== 'auto') return chosen;
  const enabled = Object.entries(connectors).filter(([, connector]) => connector.enabled !== false);
  if (enabled.length === 0) return 'direct';
  if (dialect.interpolation.kind === 'none') return 'gateway';
  return enabled.some(([name, connector]) => render(connector, dialect, name).kind === 'needs-gateway') ? 'gateway' : 'direct';
}

/**
 * The one entry a client gets in gateway mode: it starts `skillsync serve` for this
 * client and scope. Relative to nothing and free of secrets, so a project file holding
 * it is the same for every teammate.
 */
export function gatewayConnector(adapter: ClientAdapter, scope: 'user' | 'project', gateway: GatewayConfig): Record<string, ConnectorDefinition> {
  const [command = 'skillsync', ...args] = gateway.command ?? DEFAULT_GATEWAY_COMMAND;
  return { [GATEWAY_ENTRY_NAME]: { command, args: [...args, 'serve', '--client', adapter.id, '--scope', scope] } };
}

/**
 * `renderConnector` remembering its results, for one client within one plan: deciding
 * the mode and planning the entries render the same connectors. Never shared between
 * clients, so no client's rendered value is another's.
 */
export function memoRenderConnector(): typeof renderConnector {
  const results = new Map<string, { readonly connector: ConnectorDefinition; readonly dialect: unknown; readonly result: ReturnType<typeof renderConnector> }>();
  return (connector, dialect, name) => {
    const known = results.get(name);
    if (known?.connector === connector && known.dialect === dialect) return known.result;
    const result = renderConnector(connector, dialect, name);
    results.set(name, { connector, dialect, result });
    return result;
  };
}
