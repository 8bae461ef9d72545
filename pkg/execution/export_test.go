package execution

import "context"

// Roll calls the engine's roll once, as Run does every RollCall: the
// engine's tests call it between moves of their virtual clock.
func (e *Engine) Roll(ctx context.Context) { e.roll(ctx) }

// StopAll stops the engine's runners and waits for their calls to end, as
// Run does when its context ends.
func (e *Engine) StopAll() { e.stopAll() }
