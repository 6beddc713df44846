/**
 * The administrators' alarm channel: one encrypted SNS topic with an e-mail subscription per
 * administrator of the regency configuration, and a helper that makes an alarm notify it.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  readonly regencyId: string;
  readonly regencyName: string;
  readonly administrators: readonly string[];
}

export interface AlarmOptions {
  readonly metric: cloudwatch.IMetric;
  /** Indonesian text the administrators read in the alarm mail: what happened and where to look. */
  readonly description: string;
  /** @default 1 */
  readonly threshold?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
}

export class Alerts extends Construct {
  readonly topic: sns.Topic;
  /** Encrypts the topic; CloudWatch and EventBridge may use it to publish. */
  readonly key: kms.Key;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Satupintu ${props.regencyId}: administrators' alert topic`,
      enableKeyRotation: true,
      // Messages are transient: nothing stays encrypted under this key once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // Alarm and event notices carry no secrets, but bounce notices name an address: encrypt the topic.
    // CloudWatch alarms and EventBridge rules publish with their service principals, which the AWS
    // managed SNS key does not allow; a key of ours can.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Satupintu ${props.regencyName}`,
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const address of props.administrators)
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
  }

  /** An alarm that mails the administrators when it fires (missing data means nothing happened). */
  alarm(id: string, options: AlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold ?? 1,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
