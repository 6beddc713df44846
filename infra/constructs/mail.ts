/**
 * Sending mail for a regency: the SES identity of the configured sender's domain, a configuration set
 * every message goes through, and what happens to bounces and complaints.
 *
 * Bounces and complaints are recorded in three places: SES's suppression list for the configuration set
 * (the address is not mailed again, and `GetSuppressedDestination` tells the product why), a log group
 * with the event's type and message id (no address: logs hold no personal data), and a notice to the
 * administrators' topic naming the address, so that someone contacts the applicant or official
 * another way.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { Alerts } from './alerts.ts';
import type { MailSending } from './grants.ts';

/** `Name <address@domain>` or a bare address -> its parts. */
export function parseSender(sender: string): { address: string; domain: string } {
  const match = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(sender) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(sender);
  const address = match?.[1];
  const domain = address?.split('@')[1];
  if (address === undefined || domain === undefined)
    throw new Error(`mail.sender '${sender}' has no e-mail address`);
  return { address, domain: domain.toLowerCase() };
}

export interface MailProps {
  readonly regencyId: string;
  readonly sender: string;
  readonly alerts: Alerts;
}

export class Mail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly domain: string;
  readonly senderAddress: string;
  readonly sending: MailSending;
  readonly feedbackRule: events.Rule;
  readonly feedbackLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const { address, domain } = parseSender(props.sender);
    this.domain = domain;
    this.senderAddress = address;
    const stack = Stack.of(this);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `satupintu-${props.regencyId}`,
      reputationMetrics: true,
      // Mail carries links to applications and officials' names: never send it in clear text.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    // A domain identity (Easy DKIM): the DKIM CNAME records are stack outputs for the office's DNS.
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(domain),
      configurationSet: this.configurationSet,
    });

    new ses.ConfigurationSetEventDestination(this, 'Feedback', {
      configurationSet: this.configurationSet,
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });

    this.feedbackLogs = new logs.LogGroup(this, 'FeedbackLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.feedbackRule = new events.Rule(this, 'FeedbackRule', {
      description: `Satupintu ${props.regencyId}: bounces and complaints of its mail`,
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Bounced', 'Email Complaint Received'],
        // SES tags every event with its configuration set: another regency's mail is not ours.
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
    });
    // EventBridge writes to the log group under a resource policy. Written here rather than through
    // `targets.CloudWatchLogGroup`, which installs it with a custom-resource Lambda.
    new logs.ResourcePolicy(this, 'FeedbackLogsPolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.feedbackLogs.logGroupArn],
          conditions: { ArnEquals: { 'aws:SourceArn': this.feedbackRule.ruleArn } },
        }),
      ],
    });
    this.feedbackRule.addTarget({
      bind: () => ({
        arn: stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.feedbackLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
        // The record: what happened to which message (the product keeps message ids with the mail it
        // sends), never the address.
        input: events.RuleTargetInput.fromObject({
          timestamp: events.EventField.time,
          message: `${events.EventField.fromPath('$.detail-type')} messageId=${events.EventField.fromPath('$.detail.mail.messageId')}`,
        }),
      }),
    });
    this.feedbackRule.addTarget(
      new targets.SnsTopic(props.alerts.topic, {
        message: events.RuleTargetInput.fromText(
          [
            `Satupintu ${props.regencyId}: e-mail tidak terkirim (${events.EventField.fromPath('$.detail-type')}).`,
            `Alamat tujuan: ${events.EventField.fromPath('$.detail.mail.destination')}.`,
            'SES tidak akan mengirim lagi ke alamat ini. Hubungi pemohon atau pejabat yang bersangkutan',
            'melalui saluran lain dan perbarui alamat e-mailnya.',
            `Message ID: ${events.EventField.fromPath('$.detail.mail.messageId')}`,
          ].join(' '),
        ),
      }),
    );

    this.sending = {
      identityArn: stack.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: this.identity.emailIdentityName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
      configurationSetName: this.configurationSet.configurationSetName,
      configurationSetArn: stack.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: this.configurationSet.configurationSetName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    };
  }

  /** Bounces and complaints matched by the feedback rule, counted by EventBridge. */
  metricFeedback(period = Duration.hours(1)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.feedbackRule.ruleName },
      statistic: 'Sum',
      period,
    });
  }
}
