using Orleans.Placement;

namespace Chat.Grains;

/// <summary>Remembers the first registered account; non-reentrant, so two first sign-ups cannot both win.</summary>
[Immovable(ImmovableKind.Rebalancer)] // only threads are moved by a rebalancer: they hand their memory over
public sealed class RolesGrain(
    [PersistentState("roles", ChatStorage.GrainStorageName)] IPersistentState<RolesState> state) : Grain, IRolesGrain
{
    public async Task AccountRegistered(string userName)
    {
        if (state.State.FirstUser is not null) return;
        state.State.FirstUser = userName;
        await state.WriteStateAsync();
    }

    public Task<bool> IsFirstUser(string userName) => Task.FromResult(state.State.FirstUser == userName);
}
