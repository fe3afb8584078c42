import type { Sidecar } from '@vcd/dapr';

/** Sends one mail through the sidecar's SMTP output binding (component `email`, scoped to auth). */
export class EmailBinding {
  constructor(
    private readonly sidecar: Sidecar,
    private readonly options: { binding?: string; timeoutMs?: number } = {},
  ) {}

  send(mail: { to: string; subject: string; body: string }): Promise<void> {
    return this.sidecar.invokeBinding(
      this.options.binding ?? 'email',
      { operation: 'create', data: mail.body, metadata: { emailTo: mail.to, subject: mail.subject } },
      this.options.timeoutMs ?? 10_000,
    );
  }
}
