// Package pipesim holds what the pipesim binary embeds from the repository: the seed design.
package pipesim
