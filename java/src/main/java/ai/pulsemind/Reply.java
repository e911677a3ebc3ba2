package ai.pulsemind;

import ai.pulsemind.model.generate.Completion;

/**
 * One doctor turn the model wrote.
 *
 * @param text             the reply (special tokens left out, cut before a stop string)
 * @param finishReason     {@code stop}, {@code length} or {@code cancelled}
 * @param promptTokens     tokens of the conversation as the model read it
 * @param completionTokens tokens generated, the stop token included
 * @param completion       everything the engine returned (ids, log-probs when asked for)
 */
public record Reply(String text, String finishReason, int promptTokens, int completionTokens, Completion completion) {
    static Reply of(Completion c, int promptTokens) {
        return new Reply(c.text(), c.finishReason().openAi(), promptTokens, c.ids().length, c);
    }
}
