# The image to copy probe from. In an agent image's Dockerfile:
#
#   COPY --from=probe:0.1.0 /probe /usr/local/bin/probe
#   COPY --from=probe:0.1.0 /probes/ /etc/probe/probes/
#   RUN ["probe", "--resource", "lua"]
#
# It holds the static binary and the shipped specs, nothing else. Its build
# context is a folder with `probe` (the static binary for the image's
# platform) and `probes/`: scripts/release.sh makes one per architecture.
FROM scratch
COPY probe /probe
COPY probes/ /probes/
ENTRYPOINT ["/probe"]
