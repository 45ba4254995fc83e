// The thread's collaborators (Threads/) are internal to the grains; their tests drive them directly.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Chat.Grains.Tests")]
