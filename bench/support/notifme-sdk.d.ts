// The slice of notifme-sdk (which ships Flow types, not TypeScript) that bench/outbound.ts uses.
declare module 'notifme-sdk' {
  export interface SmsRequest {
    from: string;
    to: string;
    text: string;
  }
  export interface CustomProvider<R> {
    type: 'custom';
    id: string;
    send(request: R): Promise<string>;
  }
  export interface NotifmeOptions {
    channels?: {
      sms?: { multiProviderStrategy?: 'fallback' | 'roundrobin' | 'no-fallback'; providers: CustomProvider<SmsRequest>[] };
    };
  }
  export interface NotificationStatus {
    status: 'success' | 'error';
    channels?: Record<string, { id: string; providerId: string | null }>;
    errors?: Record<string, string>;
  }
  export interface Notifme {
    send(request: { sms?: SmsRequest }): Promise<NotificationStatus>;
  }
  // A CommonJS module compiled by Babel: imported from ESM, the class is the `default` property of the exports.
  const notifme: { default: new (options: NotifmeOptions) => Notifme };
  export default notifme;
}

// notifme-sdk's own HTTP helper (node-fetch, plus its proxy agent support): what its Twilio provider calls.
declare module 'notifme-sdk/lib/util/request.js' {
  interface FetchResponse {
    ok: boolean;
    status: number;
    json(): Promise<unknown>;
  }
  const request: {
    default(url: string, options: { method: string; headers: Record<string, string>; body: string }): Promise<FetchResponse>;
  };
  export default request;
}
