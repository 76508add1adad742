// Package cdktest gives tests the cdk.out that a real `cdk synth` writes for the project's CDK
// app (testdata/cdk-app, the OrdersStack), synthesized once per change of the app and its
// scripts. Only tests import it.
package cdktest
