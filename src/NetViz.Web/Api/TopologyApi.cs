namespace NetViz.Web.Api;

public static class TopologyApi
{
    public static IEndpointRouteBuilder MapNetVizApi(this IEndpointRouteBuilder app) => app;
}
