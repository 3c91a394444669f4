import {
  ApiException,
  HttpMethod,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  KubernetesObjectApi,
  type ResponseContext,
} from '@kubernetes/client-node';

/** JsonRequest is the optional part of a raw request: query parameters, a JSON body and its content type. */
export interface JsonRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

/**
 * JsonObjectApi is client-node's KubernetesObjectApi (discovery-based URLs for
 * any kind, the KubeConfig's TLS and auth) returning objects exactly as the API
 * server sent them. The base class deserializes built-in kinds into model
 * classes (timestamps become Date objects) while watch events stay plain JSON;
 * an informer cache mixing both would make compare-then-act see differences
 * that are not there. It also reaches subresources (`/status`), which the base
 * class cannot.
 */
export class JsonObjectApi extends KubernetesObjectApi {
  /** fromKubeConfig builds the client with the KubeConfig's server, credentials and default namespace. */
  static fromKubeConfig(kc: KubeConfig): JsonObjectApi {
    const api = kc.makeApiClient(JsonObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /** pathFor is the URL path of an object (`/apis/group/v1/namespaces/ns/plural/name`), plus a subresource. */
  async pathFor(obj: KubernetesObject, subresource?: string): Promise<string> {
    const spec = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata?.name, namespace: obj.metadata?.namespace },
    };
    const path = await this.specUriPath(spec, 'read');
    return subresource ? `${path}/${subresource}` : path;
  }

  /** collectionPath is the URL path of a kind's collection, in a namespace or across all of them. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return this.specUriPath({ apiVersion, kind, metadata: { namespace } }, 'list');
  }

  /** requestJson sends one request to `path` and resolves with the parsed JSON response. */
  async requestJson<T>(method: HttpMethod, path: string, request: JsonRequest = {}): Promise<T> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(name, value);
    }
    if (request.body !== undefined) {
      ctx.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(request.body));
    }
    return (await this.requestPromise<KubernetesObject>(ctx)) as T;
  }

  /** getJson reads `path` (an object or a list). */
  getJson<T>(path: string, query?: Record<string, string | undefined>): Promise<T> {
    return this.requestJson<T>(HttpMethod.GET, path, { query });
  }

  /** listJson lists a collection path, optionally filtered by a label selector. */
  listJson<T extends KubernetesObject>(path: string, labelSelector?: string): Promise<KubernetesListObject<T>> {
    return this.getJson<KubernetesListObject<T>>(path, { labelSelector });
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, _type?: string): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return (text ? JSON.parse(text) : {}) as T;
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    const status = body as { reason?: string; message?: string };
    const err = new ApiException<unknown>(response.httpStatusCode, status?.message ?? text, body, response.headers);
    err.message = `Kubernetes API ${response.httpStatusCode}${status?.reason ? ` ${status.reason}` : ''}: ${status?.message ?? text}`;
    throw err;
  }
}
