/** A minimal REST client for tests: logs in, keeps the session cookie, returns parsed JSON. */

export class ApiClient {
  cookie = '';

  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    const setCookie = response.headers.getSetCookie();
    this.cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async get<T>(path: string): Promise<T> {
    const { status, json } = await this.request('GET', path);
    if (status !== 200) throw new Error(`GET ${path}: ${status} ${JSON.stringify(json)}`);
    return json as T;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    const { status, json } = await this.request('POST', path, body ?? {});
    if (status < 200 || status > 299) throw new Error(`POST ${path}: ${status} ${JSON.stringify(json)}`);
    return json as T;
  }
}
