# Build the jar first: mvn -B package -DskipTests   (produces target/quotient.jar)
# Then: docker build -t ghcr.io/quotient-dev/quotient:0.1.0 .
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 quotient \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin quotient
COPY target/quotient.jar /opt/quotient/quotient.jar
# Numeric user so Kubernetes can verify runAsNonRoot.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/quotient/quotient.jar"]
CMD ["run"]
