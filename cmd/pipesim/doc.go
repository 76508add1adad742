// Command pipesim runs Amazon EventBridge Pipes designs (DynamoDB stream source, API destination
// targets) on a developer's machine.
package main
