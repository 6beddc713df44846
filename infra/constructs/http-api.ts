/**
 * The HTTP API, built generically from the route table that the local API server also serves
 * (`functions/api/routes.ts`): a new route needs no change here.
 */

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '#api/routes.ts';
import type { SatupintuFunction } from './satupintu-function.ts';

export interface CustomDomain {
  /** e.g. `izin.dpmptsp.bengkulukota.go.id`; its DNS must point at the output `ApiDomainTarget`. */
  readonly domainName: string;
  /** An ACM certificate for that name in the stack's region. */
  readonly certificateArn: string;
}

export interface ApiThrottle {
  /** Steady requests per second for the whole stage. @default 50 */
  readonly rateLimit: number;
  /** @default 100 */
  readonly burstLimit: number;
}

export interface HttpApiProps {
  readonly regencyId: string;
  readonly routes: readonly RouteDefinition[];
  /** One function per distinct `fn` of the route table. */
  readonly functions: ReadonlyMap<string, SatupintuFunction>;
  readonly corsOrigins: readonly string[];
  readonly customDomain?: CustomDomain;
  readonly throttle?: ApiThrottle;
}

/**
 * The access-log line: JSON, one per request. Deliberately without the source IP, user agent and raw
 * path (which may carry an application id or a tracking code): logs hold no personal data, and the
 * route key identifies the endpoint.
 */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
} as const;

export class HttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly domain?: apigwv2.DomainName;
  private readonly customDomainName?: string;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `satupintu-${props.regencyId}`,
      description: `Satupintu permit API, ${props.regencyId}`,
      createDefaultStage: false,
      // Applicant routes carry a bearer token, never cookies: credentials stay off, and only the
      // headers the API reads are allowed.
      corsPreflight: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: [
          apigwv2.CorsHttpMethod.GET,
          apigwv2.CorsHttpMethod.POST,
          apigwv2.CorsHttpMethod.PUT,
          apigwv2.CorsHttpMethod.DELETE,
          apigwv2.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        // The applicant API answers with a correlation id (quote it to the help desk) and marks replayed creates.
        exposeHeaders: ['location', 'retry-after', 'x-correlation-id', 'idempotent-replayed'],
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // A regency office serves a city: these limits are far above its peak and low enough that a
      // runaway client cannot run up the Lambda bill.
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });

    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of props.routes) {
      const fn = props.functions.get(route.fn);
      if (fn === undefined) throw new Error(`route ${route.method} ${route.path}: no function '${route.fn}'`);
      let integration = integrations.get(route.fn);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${route.fn}-integration`, fn.fn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(route.fn, integration);
      }
      const [routeConstruct] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      });
      if (routeConstruct !== undefined)
        Validations.of(routeConstruct).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `Route auth '${route.auth}' is enforced by the handler: public routes need none, applicant routes check a bearer token against its stored hash in constant time, official links carry a 256-bit random capability stored only as its hash. API Gateway has no authorizer for these schemes.`,
        });
    }

    if (props.customDomain !== undefined) {
      this.customDomainName = props.customDomain.domainName;
      this.domain = new apigwv2.DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'Certificate',
          props.customDomain.certificateArn,
        ),
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      new apigwv2.ApiMapping(this, 'DomainMapping', {
        api: this.api,
        domainName: this.domain,
        stage: this.stage,
      });
    }
  }

  /** The base URL callers use: the custom domain when there is one. */
  get url(): string {
    return this.customDomainName === undefined ? this.api.apiEndpoint : `https://${this.customDomainName}`;
  }
}
