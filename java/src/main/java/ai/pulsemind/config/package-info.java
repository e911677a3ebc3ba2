/**
 * What every layer shares about configuration: {@link ai.pulsemind.config.InvalidSetting}, the error a config record
 * throws for a value out of range, named by the setting so that the CLI can name the flag instead. Depends on nothing.
 */
package ai.pulsemind.config;
