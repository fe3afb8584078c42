/**
 * Sends one mail through the sidecar's SMTP output binding (component `email`, scoped to auth):
 * POST /v1.0/bindings/email {operation: "create", data, metadata: {emailTo, subject}}.
 */
export class EmailBinding {
  private readonly url: string;

  constructor(private readonly options: { host: string; httpPort: number; apiToken: string; binding?: string; timeoutMs?: number }) {
    this.url = `http://${options.host}:${options.httpPort}/v1.0/bindings/${options.binding ?? 'email'}`;
  }

  async send(mail: { to: string; subject: string; body: string }): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dapr-api-token': this.options.apiToken },
      body: JSON.stringify({ operation: 'create', data: mail.body, metadata: { emailTo: mail.to, subject: mail.subject } }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`SMTP binding answered HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`);
  }
}
