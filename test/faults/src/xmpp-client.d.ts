/**
 * The part of @xmpp/client 0.14 (untyped, ESM) that the fault suite uses: a client with
 * SASL2 + Bind2 inline features, XEP-0198 with its own outbound queue, reconnect and IQs.
 */
declare module '@xmpp/client' {
  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    is(name: string, ns?: string): boolean;
    getChild(name: string, ns?: string): Element | undefined;
    getChildren(name: string, ns?: string): Element[];
    getChildText(name: string, ns?: string): string | null;
    toString(): string;
  }

  type Child = Element | string | undefined | null | false;
  export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Child[]): Element;

  export interface StreamManagement {
    id: string;
    enabled: boolean;
    on(event: 'ack' | 'fail', cb: (stanza: Element) => void): void;
    on(event: 'resumed', cb: () => void): void;
  }

  export interface Client {
    status: string;
    reconnect: { delay: number; stop(): void };
    streamManagement: StreamManagement;
    bind2: { use(ns: string, request: (el: Element) => Element | undefined, response?: (el: Element) => void): void };
    iqCaller: { request(iq: Element, timeoutMs?: number): Promise<Element> };
    on(event: 'stanza' | 'nonza' | 'element', cb: (el: Element) => void): void;
    on(event: 'status', cb: (status: string) => void): void;
    on(event: 'online', cb: () => void): void;
    on(event: 'error', cb: (err: Error & { condition?: string }) => void): void;
    start(): Promise<unknown>;
    stop(): Promise<void>;
    send(el: Element): Promise<void>;
  }

  export function client(options: {
    service: string;
    domain: string;
    username: string;
    password: string;
    userAgent?: Element;
  }): Client;
}
